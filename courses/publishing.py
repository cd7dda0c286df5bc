"""What happens when course pages are published: module minutes, and new lessons for people who had finished."""

from wagtail.models import Page

from courses.models import LessonPage, ModulePage
from courses.services import lesson_count_as_done_for_finishers, module_minutes_recalculate


def is_first_publish(page: Page) -> bool:
    """Whether the page has just been published for the first time (Wagtail sets both dates at once then)."""
    return page.first_published_at is not None and page.first_published_at == page.last_published_at


def lesson_published(sender, instance: LessonPage, **kwargs) -> None:
    """Recount the module's minutes; on a new lesson's first publish, apply the editor's choice for finishers."""
    module_minutes_recalculate(module_path=instance.path[: -Page.steplen])
    if is_first_publish(instance) and instance.for_finishers == LessonPage.COUNT_AS_DONE:
        lesson_count_as_done_for_finishers(lesson=instance)


def lesson_unpublished(sender, instance: LessonPage, **kwargs) -> None:
    """Recount the module's minutes without the lesson."""
    module_minutes_recalculate(module_path=instance.path[: -Page.steplen])


def module_published(sender, instance: ModulePage, **kwargs) -> None:
    """Recount the module's minutes (publishing writes back the minutes its revision held)."""
    module_minutes_recalculate(module_path=instance.path)
