"""Course pages and signed-off skills checks in a real browser, at desktop and phone widths, axe-clean: a module whose
course an editor unpublished is gone for a visitor who had it open; a trainee can't delete a reopened skills check a
supervisor signed off; and a trainee whose skills check was signed off can still close their account.
"""

import pytest
from playwright.sync_api import expect

from practice.services import SIGNED_OFF
from tests.e2e.conftest import person_page
from tests.e2e.journey import log_in
from tests.e2e.test_accessibility import ARTEFACTS, DESKTOP, PHONE, blocking_violations, describe

pytestmark = pytest.mark.browser

WIDTHS = [("desktop", DESKTOP), ("phone", PHONE)]
COURSE = "Peer Specialist Foundations"
REOPENED = "Reopened by a programme admin: Please check the date of this role-play."
PUBLISH_COURSE = """
from courses.models import CoursePage
course = CoursePage.objects.get(title={title!r})
course.{action}()
"""
# A new trainee of the demo supervisor's, so no other browser test finds their entries in the demo trainee's log.
NEW_TRAINEE = """
from datetime import timedelta
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from django.utils import timezone
from allauth.account.models import EmailAddress
from practice.entry_data import EntryData
from practice.models import SupervisorAssignment
from practice.services import entries_submit, entry_create
demo = SupervisorAssignment.objects.filter(trainee__username="trainee").first()
person = get_user_model().objects.create_user("{username}", "{username}@example.org", "peerdemo2026", first_name="Wren",
    last_name="Ashby")
EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
person.groups.add(Group.objects.get(name="Trainee"))
assignment = SupervisorAssignment.objects.create(trainee=person, supervisor=demo.supervisor,
    organisation=demo.organisation, starts_on=demo.starts_on)
"""
# A validation skills check of theirs, signed off with its whole rubric, then reopened by the admin.
SIGNED_OFF_AND_REOPENED = (
    NEW_TRAINEE
    + """
from content.models import CompetencyDomain
from practice.review import APPROVE, Decision, batch_review
from practice.services import entry_reopen
from practice.skills import VALIDATION, criteria_for
from lms.roles import role_holders, PROGRAMME_ADMIN
day = timezone.localdate() - timedelta(days=9)
data = EntryData(assignment=assignment, performed_on=day, minutes=30, delivery="in_person",
    activity_type="skills_check", skill=VALIDATION, setting="peer_run", domains=list(CompetencyDomain.objects.all()),
    reflection="A role-play my supervisor watched; I named the feeling.")
entry = entry_create(trainee=person, data=data)
(batch,) = entries_submit(trainee=person, entry_ids=[entry.pk])
shown = frozenset(range(len(criteria_for(VALIDATION))))
batch_review(supervisor=assignment.supervisor, batch_id=batch.pk, decisions=[Decision(entry.pk, APPROVE, shown=shown)],
    attested=True)
entry_reopen(admin=role_holders(PROGRAMME_ADMIN).get(username="admin"), entry_id=entry.pk,
    reason="Please check the date of this role-play.")
print(f"{{day:%-d %b %Y}}")
"""
)
# One listening skills check of theirs, signed off with its whole rubric.
TRAINEE_WITH_A_SIGN_OFF = (
    NEW_TRAINEE
    + """
from demo.skills import approve_with_rubric
data = EntryData(assignment=assignment, performed_on=timezone.localdate() - timedelta(days=1), minutes=30,
    delivery="in_person", activity_type="skills_check", skill="listening", setting="peer_run",
    reflection="A role-play my supervisor watched; I summarised before asking anything new.")
entry = entry_create(trainee=person, data=data)
(batch,) = entries_submit(trainee=person, entry_ids=[entry.pk])
approve_with_rubric(supervisor=demo.supervisor, batch=batch)
"""
)


def _checked(page, axe_source: str, name: str, width: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"refusals-{name}-{width}.png"), full_page=True)
    violations = blocking_violations(page, axe_source)
    assert not violations, f"{name} at {width} ({page.url}):\n{describe(violations)}"


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
def test_a_module_of_an_unpublished_course_is_gone(e2e_site, browser, axe_source, width, viewport):
    with person_page(browser, viewport) as page:
        page.goto(e2e_site.base + "/")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
        page.get_by_role("link", name=COURSE).first.click()
        page.get_by_role("link", name="Validation").first.click()
        expect(page.get_by_role("heading", level=1, name="Validation")).to_be_visible()
        e2e_site.manage("shell", "-c", PUBLISH_COURSE.format(title=COURSE, action="unpublish"))
        try:
            assert page.reload().status == 404
            expect(page.get_by_role("heading", level=1, name="We couldn't find that page")).to_be_visible()
            expect(page.get_by_text("By the end of this module")).to_have_count(0)
            _checked(page, axe_source, "module-of-unpublished-course", width)
        finally:
            e2e_site.manage("shell", "-c", PUBLISH_COURSE.format(title=COURSE, action="save_revision().publish"))
        assert page.reload().status == 200


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
def test_a_reopened_skills_check_that_was_signed_off_is_kept(e2e_site, browser, axe_source, width, viewport):
    username = f"rowan-{width}"
    day = e2e_site.manage("shell", "-c", SIGNED_OFF_AND_REOPENED.format(username=username)).strip().splitlines()[-1]
    with person_page(browser, viewport) as page:
        log_in(page, e2e_site.base, username)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Practice log").click()
        page.get_by_role("link", name=f"Read comment on the entry of {day}").click()
        expect(page.get_by_text(REOPENED)).to_be_visible()
        page.get_by_role("link", name="Delete", exact=True).click()
        page.get_by_role("button", name="Yes, delete it").click()
        expect(page.get_by_text(SIGNED_OFF)).to_be_visible()
        expect(page.get_by_text(REOPENED)).to_be_visible()  # the entry is still there
        _checked(page, axe_source, "signed-off-skills-check-kept", width)


@pytest.mark.parametrize(("width", "viewport"), WIDTHS)
def test_a_trainee_with_a_signed_off_skills_check_closes_their_account(e2e_site, browser, axe_source, width, viewport):
    username = f"wren-{width}"
    e2e_site.manage("shell", "-c", TRAINEE_WITH_A_SIGN_OFF.format(username=username))
    with person_page(browser, viewport) as page:
        log_in(page, e2e_site.base, username)
        page.get_by_role("link", name="Your data").click()
        page.get_by_role("link", name="Find out exactly what happens, and close your account").click()
        page.get_by_label("Your current password").fill("peerdemo2026")
        page.get_by_label("Type CLOSE to confirm").fill("CLOSE")
        page.get_by_role("button", name="Close my account").click()
        expect(page.get_by_role("heading", level=1, name="Your account is closed")).to_be_visible()
        _checked(page, axe_source, "account-closed-after-a-sign-off", width)
