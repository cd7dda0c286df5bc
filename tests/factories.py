"""Factories for users and course trees."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.rich_text import RichText

from content.models import HomePage
from content.services import home_page_install
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModuleObjective, ModulePage
from lms.roles import TRAINEE

PASSWORD = "a-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a known password and, by default, the trainee role."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Add the user to the named role groups (trainee unless told otherwise)."""
        if create:
            for role in extracted if extracted is not None else [TRAINEE]:
                self.groups.add(Group.objects.get(name=role))
            self.save()


def site_home() -> HomePage:
    """Return the site's HomePage, creating it (and making it the site root) if needed."""
    existing = HomePage.objects.first()
    if existing:
        return existing
    return home_page_install(home=HomePage(title="Home", slug="home"))


def course_index() -> CourseIndexPage:
    """Return /courses/, creating it if needed."""
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    return site_home().add_child(instance=CourseIndexPage(title="Courses", slug="courses"))


def build_course(*, modules: int = 2, lessons_per_module: int = 2, slug: str = "course", title: str = "A course"):
    """Build a live course with the given number of modules and lessons; returns (course, lessons in order)."""
    course = course_index().add_child(instance=CoursePage(title=title, slug=slug, summary="A course for tests."))
    lessons = []
    for m in range(1, modules + 1):
        module = course.add_child(
            instance=ModulePage(
                title=f"Module {m}",
                slug=f"module-{m}",
                summary=f"Summary of module {m}.",
                objectives=[ModuleObjective(text=f"Objective of module {m}")],
            )
        )
        for n in range(1, lessons_per_module + 1):
            lessons.append(
                module.add_child(
                    instance=LessonPage(
                        title=f"Lesson {m}.{n}",
                        slug=f"lesson-{n}",
                        body=[("text", RichText(f"<p>Teaching for lesson {m}.{n}.</p>"))],
                    )
                )
            )
    return course, lessons
