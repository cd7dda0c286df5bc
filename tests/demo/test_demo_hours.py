"""The demo programme's training adds up like a state CPS training: the course and the training practice, 40–80 h."""

from decimal import Decimal
from pathlib import Path

import yaml

from demo.certificates import ACTIVITY_HOURS, PROGRAMME
from practice.models import PracticeEntry

COURSE = Path(__file__).resolve().parents[2] / "demo" / "curriculum" / "foundations" / "course.yaml"


def test_course_hours_and_training_practice_come_to_40_to_80_hours():
    course_hours = Decimal(str(yaml.safe_load(COURSE.read_text())["estimated_hours"]))
    training_hours = Decimal(ACTIVITY_HOURS[PracticeEntry.ActivityType.TRAINING])
    assert (course_hours, training_hours) == (19, 24)
    assert 40 <= course_hours + training_hours <= 80
    assert f"together come to {course_hours + training_hours} hours" in PROGRAMME["description"]
    assert "inside the 40 to 80 hours of a state CPS training" in PROGRAMME["description"]


def test_the_demo_programme_asks_for_every_skill():
    assert PROGRAMME["skills_checks_required"] == 4
