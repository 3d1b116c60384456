"""The two sizes of sample world: ``pilot`` (committed under data/sample) and ``national``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    """A country of the sample world: its ISO code, name, language and cities."""

    id: str  # ISO 3166 alpha-2
    name: str
    language: str  # ISO 639-1, the LMS statements' context.language
    cities: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("EE", "Estonia", "et", ("Tallinn", "Tartu", "Narva", "Pärnu", "Viljandi", "Rakvere")),
    Country("FI", "Finland", "fi", ("Helsinki", "Espoo", "Tampere", "Oulu", "Turku", "Jyväskylä")),
    Country("LT", "Lithuania", "lt", ("Vilnius", "Kaunas", "Klaipėda", "Šiauliai", "Panevėžys", "Alytus")),
    Country("GE", "Georgia", "ka", ("Tbilisi", "Kutaisi", "Batumi", "Rustavi", "Zugdidi", "Gori")),
    Country("PL", "Poland", "pl", ("Kraków", "Warszawa", "Łódź", "Wrocław", "Poznań", "Tarnów")),
)


@dataclass(frozen=True)
class Scale:
    """How big the world is; everything else (rates, effects) is shared by all scales."""

    name: str
    hubs_per_country: int
    schools_per_hub: int
    mentor_schools_per_hub: int  # advanced schools whose mentors mentor others
    mentee_schools_per_hub: int  # the rest of a hub's schools are the comparison group
    pilot_teachers: tuple[int, int]  # teachers taking part (people.csv), per school, min-max
    lms_students: tuple[int, int]  # students with an LMS account (people.csv), per school
    student_respondents: tuple[int, int]  # students answering a survey round (secondary, vet)
    lms_week_probability: float  # chance an LMS user is active in a school week (before maturity)
    compresslevel: int  # gzip level: small files for the committed pilot, speed for national


SCALES: dict[str, Scale] = {
    "pilot": Scale("pilot", 1, 15, 3, 8, (5, 11), (6, 14), (5, 16), 0.22, 9),
    "national": Scale("national", 10, 100, 15, 45, (6, 12), (12, 22), (5, 16), 0.22, 1),
}
