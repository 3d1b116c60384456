"""What the surveys ask: SELFIE-style core items per area and the DigCompEdu competences.

Item labels are our own short paraphrases of the themes SELFIE covers, not SELFIE's wording.
Each item lists the respondent groups that are asked it: students get only the items about
what they see (infrastructure they use, classroom practice, assessment, their own digital
competence), never leadership or teachers' professional development.
"""

from __future__ import annotations

from dataclasses import dataclass

LT = ("leader", "teacher")
LTS = ("leader", "teacher", "student")


@dataclass(frozen=True)
class Item:
    """One core item of the SELFIE-style questionnaire."""

    code: str  # "A1"
    label: str
    groups: tuple[str, ...]
    offset: float  # how much easier (+) or harder (-) it is to agree with than its area

    @property
    def area(self) -> str:
        """The item's area: its code's first letter."""
        return self.code[0]


ITEMS: tuple[Item, ...] = (
    Item("A1", "The school has a digital strategy", LT, 0.1),
    Item("A2", "The strategy is developed with teachers", LT, -0.2),
    Item("A3", "Leaders support new ways of teaching with technology", LT, 0.1),
    Item("B1", "The school reviews its progress with digital technologies", LT, -0.2),
    Item("B2", "We discuss the pros and cons of teaching with technology", LTS, 0.0),
    Item("B3", "The school works with partners on digital education", LT, -0.1),
    Item("C1", "The digital infrastructure supports teaching and learning", LTS, 0.1),
    Item("C2", "Internet access is reliable", LTS, 0.2),
    Item("C3", "Technical support is available", LT, 0.0),
    Item("C4", "Data protection is ensured", LT, 0.2),
    Item("C5", "Devices are available for learning", LTS, -0.1),
    Item("D1", "Teachers' professional development needs are discussed", LT, -0.1),
    Item("D2", "Teachers take part in professional development on digital teaching", LT, 0.0),
    Item("D3", "Teachers share experience of digital teaching", LT, 0.1),
    Item("E1", "Teachers find online educational resources", LT, 0.3),
    Item("E2", "Teachers create digital resources", LT, 0.0),
    Item("E3", "A virtual learning environment is used", LTS, 0.1),
    Item("F1", "Technology is used to tailor teaching to students' needs", LTS, -0.2),
    Item("F2", "Technology is used to foster creativity", LTS, -0.1),
    Item("F3", "Technology is used to engage students", LTS, 0.1),
    Item("F4", "Technology is used for student collaboration", LTS, 0.0),
    Item("G1", "Technology is used to assess skills", LT, -0.2),
    Item("G2", "Students get timely feedback through technology", LTS, -0.1),
    Item("G3", "Students use technology to reflect on their learning", LTS, -0.3),
    Item("G4", "Students use technology to give feedback to others", LTS, -0.3),
    Item("H1", "Students learn to behave safely online", LTS, 0.3),
    Item("H2", "Students learn to behave responsibly online", LTS, 0.2),
    Item("H3", "Students learn to check the quality of information", LTS, 0.0),
    Item("H4", "Students learn to code or program", LTS, -0.5),
)

# how each area's answers sit against the scale's middle (infrastructure is usually the
# strongest area in SELFIE reports, assessment and student coding the weakest)
AREA_BASE: dict[str, float] = {"A": 0.2, "B": 0.0, "C": 0.3, "D": 0.0, "E": 0.2, "F": -0.1, "G": -0.3, "H": 0.0}
# leaders see their school more favourably than teachers; students a little less so
GROUP_OFFSET: dict[str, float] = {"leader": 0.45, "teacher": 0.0, "student": -0.15}

# DigCompEdu: area -> number of competences (22 in all)
COMPETENCES: tuple[str, ...] = tuple(f"{area}.{n}" for area, count in (("1", 4), ("2", 3), ("3", 4), ("4", 3), ("5", 3), ("6", 5)) for n in range(1, count + 1))
