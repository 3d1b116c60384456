"""Ways in: statement files (readers, batches, the C fast path, the engine), another LRS
(pull) and SELFIE-style survey exports. Everything ends in :mod:`lat.store.writer`."""
