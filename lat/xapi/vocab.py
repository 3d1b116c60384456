"""The IRIs of the LAT xAPI profile (see ``lat/xapi/lat-profile.jsonld`` and ``docs/profile.md``).

Existing vocabularies are reused where they fit; the ``https://w3id.org/xapi/lat`` namespace
is minted only for what has no published IRI (our extensions and a few activity types).
"""

from __future__ import annotations

PROFILE = "https://w3id.org/xapi/lat"
PROFILE_VERSION = "https://w3id.org/xapi/lat/v1.0"

# --- verbs -----------------------------------------------------------------------------
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
SET = "https://w3id.org/xapi/dod-isd/verbs/set"
ACHIEVED = "https://w3id.org/xapi/dod-isd/verbs/achieved"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
OBSERVED = "https://w3id.org/xapi/dod-isd/verbs/observed"
EARNED = "http://specification.openbadges.org/xapi/verbs/earned"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
# LMS / classroom activity (as Moodle's logstore_xapi and H5P emit them)
VIEWED = "http://id.tincanapi.com/verb/viewed"
SUBMITTED = "http://activitystrea.ms/schema/1.0/submit"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
LOGGED_IN = "https://brindlewaye.com/xAPITerms/verbs/loggedin/"

# --- activity types --------------------------------------------------------------------
CMI_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
SURVEY = "http://id.tincanapi.com/activitytype/survey"
MEETING = "http://adlnet.gov/expapi/activities/meeting"
GOAL = "http://id.tincanapi.com/activitytype/goal"
OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"
LESSON = "http://adlnet.gov/expapi/activities/lesson"
BADGE = "http://activitystrea.ms/schema/1.0/badge"
# minted: a DigCompEdu competence being self-assessed, and a mentoring initiative
COMPETENCE = f"{PROFILE}/activity-types/digcompedu-competence"
INITIATIVE = f"{PROFILE}/activity-types/mentoring-initiative"
# the marker of a profile version in context.contextActivities.category (xAPI Profiles spec, 5.0)
PROFILE_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/profile"
# LMS activity as Moodle's logstore_xapi emits it
LMS_SITE = "http://id.tincanapi.com/activitytype/lms"  # context category: the LMS site
COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"
SECTION = "http://id.tincanapi.com/activitytype/section"

# --- extensions (all minted; context extensions unless noted) -----------------------------
EXT = f"{PROFILE}/extensions"
EXT_SCHOOL = f"{EXT}/school"  # school id from the registry
EXT_HUB = f"{EXT}/hub"  # hub id from the registry
EXT_ROUND = f"{EXT}/round"  # self-assessment round label, e.g. "2025-autumn"
EXT_AREA = f"{EXT}/selfie-area"  # SELFIE area letter A-H
EXT_ITEM = f"{EXT}/selfie-item"  # item code, e.g. "A1"
EXT_GROUP = f"{EXT}/respondent-group"  # leader | teacher | student
EXT_PHASE = f"{EXT}/mentoring-phase"  # see PHASES
EXT_DIGCOMP_AREA = f"{EXT}/digcompedu-area"  # 1-6
EXT_DIGCOMP_LEVEL = f"{EXT}/digcompedu-level"  # result extension: A1..C2

# IRI prefixes for activities the toolbox itself mints
SELFIE_ITEM_BASE = f"{PROFILE}/selfie/items/"  # + item code
SELFIE_ROUND_BASE = f"{PROFILE}/selfie/rounds/"  # + round label
COMPETENCE_BASE = f"{PROFILE}/digcompedu/competences/"  # + "2.1"
RESPONDENT_HOMEPAGE = f"{PROFILE}/respondents"  # account homePage of pseudonymous respondents

# --- value sets ------------------------------------------------------------------------
AREAS: dict[str, str] = {
    "A": "Leadership",
    "B": "Collaboration and networking",
    "C": "Infrastructure and equipment",
    "D": "Continuing professional development",
    "E": "Pedagogy: supports and resources",
    "F": "Pedagogy: implementation in the classroom",
    "G": "Assessment practices",
    "H": "Student digital competence",
}
GROUPS = ("leader", "teacher", "student")
NOT_APPLICABLE = "na"  # result.response of a "not applicable" answer (no score)
PREFER_NOT_TO_SAY = "pns"  # result.response of a "prefer not to say" answer (no score)
LIKERT = ("1", "2", "3", "4", "5")
PHASES = ("initiative", "goals", "action-plan", "implementation", "reflection")
DIGCOMP_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
DIGCOMP_AREAS: dict[str, str] = {
    "1": "Professional engagement",
    "2": "Digital resources",
    "3": "Teaching and learning",
    "4": "Assessment",
    "5": "Empowering learners",
    "6": "Facilitating learners' digital competence",
}
SCHOOL_LEVELS = ("primary", "secondary", "vet")
PERSON_ROLES = ("leader", "teacher", "student", "mentor", "coordinator")
