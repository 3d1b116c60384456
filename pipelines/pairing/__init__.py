"""The pairing family: which advanced school should mentor which less advanced one."""
