"""Reads for courses: outlines and progress, each in a fixed number of queries."""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from wagtail.models import Page

from courses.models import CoursePage, Enrolment, LessonCompletion, LessonPage, ModulePage


@dataclass
class LessonItem:
    """A lesson in an outline, with its URL and whether the user has completed it."""

    lesson: LessonPage
    url: str
    done: bool


@dataclass
class ModuleProgress:
    """A module's lessons and how many of them the user has completed."""

    module: ModulePage
    url: str
    lessons: list[LessonItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Number of lessons in the module."""
        return len(self.lessons)

    @property
    def done(self) -> int:
        """Number of lessons the user has completed."""
        return sum(1 for item in self.lessons if item.done)

    @property
    def percent(self) -> int:
        """Completed share, as a whole percentage rounded down."""
        return percent(self.done, self.total)


@dataclass
class CourseProgress:
    """A course's modules with the user's progress and where to continue."""

    course: CoursePage
    url: str
    enrolment: Enrolment | None
    modules: list[ModuleProgress]

    @property
    def total(self) -> int:
        """Number of lessons in the course."""
        return sum(module.total for module in self.modules)

    @property
    def done(self) -> int:
        """Number of lessons the user has completed."""
        return sum(module.done for module in self.modules)

    @property
    def percent(self) -> int:
        """Completed share, as a whole percentage rounded down."""
        return percent(self.done, self.total)

    @property
    def next_lesson(self) -> LessonItem | None:
        """The first lesson, in course order, that the user has not completed."""
        for module in self.modules:
            for item in module.lessons:
                if not item.done:
                    return item
        return None

    @property
    def dom_id(self) -> str:
        """An HTML id for the course's heading on pages that list several courses."""
        return f"course-{self.course.id}"

    def next_lesson_after(self, lesson: LessonPage) -> LessonItem | None:
        """The first incomplete lesson after the given one in course order, else the first incomplete one."""
        later = (
            item
            for module in self.modules
            for item in module.lessons
            if not item.done and item.lesson.path > lesson.path
        )
        return next(later, None) or self.next_lesson

    @property
    def is_complete(self) -> bool:
        """Whether every lesson is complete (an empty course is never complete)."""
        return self.total > 0 and self.done == self.total


def percent(done: int, total: int) -> int:
    """Whole percentage of done over total, rounded down; 0 when there is nothing to do."""
    return (done * 100) // total if total else 0


def live_courses():
    """The published, publicly viewable courses in tree order."""
    return CoursePage.objects.live().public().order_by("path")


def enrolled_course_ids(user) -> set[int]:
    """Ids of the courses the user is enrolled in (empty for anonymous users)."""
    if not user.is_authenticated:
        return set()
    return set(Enrolment.objects.filter(user=user).values_list("course_id", flat=True))


def completed_lesson_ids(user, lesson_ids: list[int]) -> set[int]:
    """Which of the given lessons the user has completed, in one query."""
    if not user.is_authenticated or not lesson_ids:
        return set()
    return set(LessonCompletion.objects.filter(user=user, lesson_id__in=lesson_ids).values_list("lesson_id", flat=True))


def _under(pages, depth_offset: int) -> Q:
    return reduce(or_, (Q(path__startswith=page.path, depth=page.depth + depth_offset) for page in pages))


def courses_progress(*, user, courses: list[CoursePage], enrolments: dict[int, Enrolment], request=None):
    """Build the outline and the user's progress for several courses in three queries."""
    if not courses:
        return []
    modules = list(ModulePage.objects.live().public().filter(_under(courses, 1)).order_by("path"))
    lessons = list(LessonPage.objects.live().public().defer("body").filter(_under(courses, 2)).order_by("path"))
    done_ids = completed_lesson_ids(user, [lesson.id for lesson in lessons])
    module_by_path = {}
    for module in modules:
        module_by_path[module.path] = ModuleProgress(module=module, url=module.get_url(request=request))
    for lesson in lessons:
        module_progress = module_by_path.get(lesson.path[: -Page.steplen])
        if module_progress is not None:
            module_progress.lessons.append(
                LessonItem(lesson=lesson, url=lesson.get_url(request=request), done=lesson.id in done_ids)
            )
    result = []
    for course in courses:
        course_modules = [mp for path, mp in module_by_path.items() if path.startswith(course.path)]
        result.append(
            CourseProgress(
                course=course,
                url=course.get_url(request=request),
                enrolment=enrolments.get(course.id),
                modules=course_modules,
            )
        )
    return result


def course_progress_for_user(*, user, course: Page, request=None) -> CourseProgress:
    """One course's outline with the user's progress (enrolment is None when not enrolled)."""
    enrolment = None
    if user.is_authenticated:
        enrolment = Enrolment.objects.filter(user=user, course_id=course.id).first()
    return courses_progress(user=user, courses=[course], enrolments={course.id: enrolment}, request=request)[0]


def dashboard_progress(*, user, request=None) -> list[CourseProgress]:
    """Every live course the user is enrolled in, with progress, in enrolment order."""
    public_course_ids = CoursePage.objects.live().public().values("id")
    enrolments = list(Enrolment.objects.filter(user=user, course__in=public_course_ids).select_related("course"))
    courses = [enrolment.course for enrolment in enrolments]
    by_course = {enrolment.course_id: enrolment for enrolment in enrolments}
    return courses_progress(user=user, courses=courses, enrolments=by_course, request=request)


def module_progress_for_user(*, user, module: ModulePage, request=None) -> dict:
    """A module's lessons with the user's progress, the course and whether the user is enrolled."""
    course = Page.objects.filter(path=module.path[: -Page.steplen]).specific().first()
    lessons = list(LessonPage.objects.live().public().defer("body").child_of(module).order_by("path"))
    done_ids = completed_lesson_ids(user, [lesson.id for lesson in lessons])
    progress = ModuleProgress(module=module, url=module.get_url(request=request))
    progress.lessons = [
        LessonItem(lesson=lesson, url=lesson.get_url(request=request), done=lesson.id in done_ids) for lesson in lessons
    ]
    enrolled = user.is_authenticated and Enrolment.objects.filter(user=user, course_id=course.id).exists()
    return {"course": course, "module_progress": progress, "enrolled": enrolled}


def lesson_navigation(*, user, lesson: LessonPage, request=None) -> dict:
    """Position in the module, previous/next lessons, module progress and enrolment for a lesson page."""
    module_path = lesson.path[: -Page.steplen]
    course_path = module_path[: -Page.steplen]
    ancestors = {page.path: page for page in Page.objects.live().filter(path__in=[module_path, course_path])}
    module, course = ancestors.get(module_path), ancestors.get(course_path)
    siblings = list(
        LessonPage.objects.live()
        .public()
        .defer("body")
        .filter(path__startswith=module_path, depth=lesson.depth)
        .order_by("path")
    )
    done_ids = completed_lesson_ids(user, [sibling.id for sibling in siblings])
    items = [LessonItem(lesson=s, url=s.get_url(request=request), done=s.id in done_ids) for s in siblings]
    index = next((i for i, item in enumerate(items) if item.lesson.id == lesson.id), 0)
    progress = ModuleProgress(module=module, url=module.get_url(request=request) if module else "", lessons=items)
    enrolled = bool(
        user.is_authenticated and course and Enrolment.objects.filter(user=user, course_id=course.id).exists()
    )
    return {
        "module": module,
        "course": course,
        "module_progress": progress,
        "position": index + 1,
        "lesson_count": len(items),
        "previous_lesson": items[index - 1] if index > 0 else None,
        "next_lesson": items[index + 1] if index + 1 < len(items) else None,
        "is_done": lesson.id in done_ids,
        "enrolled": enrolled,
    }
