"""Course pages (course, module, lesson) and the records of enrolment and lesson completion."""

from django import forms
from django.conf import settings
from django.db import models
from django.http import Http404
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from content.blocks import LessonStreamBlock


class CourseIndexPage(Page):
    """The list of courses, at /courses/."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        """Add the live courses and the user's enrolments to the context."""
        from courses.selectors import enrolled_course_ids, live_courses

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = live_courses()
        context["enrolled_ids"] = enrolled_course_ids(request.user)
        return context


class CoursePage(Page):
    """A course: a sequence of modules that a trainee enrols in."""

    summary = models.CharField(max_length=300, help_text="One or two sentences shown in course lists.")
    description = RichTextField(blank=True, features=["h3", "bold", "italic", "ol", "ul", "link"])
    estimated_hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("estimated_hours"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("description")]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    def get_context(self, request, *args, **kwargs):
        """Add the outline and, for an enrolled user, their progress."""
        from courses.selectors import course_progress_for_user

        context = super().get_context(request, *args, **kwargs)
        context["progress"] = course_progress_for_user(user=request.user, course=self, request=request)
        return context


class ModulePage(Page):
    """A module within a course: learning objectives and a sequence of lessons."""

    summary = models.CharField(max_length=300)
    estimated_minutes = models.PositiveIntegerField(default=60)
    competency_domains = ParentalManyToManyField("content.CompetencyDomain", blank=True, related_name="modules")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("competency_domains", widget=forms.CheckboxSelectMultiple),
        InlinePanel("objectives", label="Learning objectives", min_num=1),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    def get_context(self, request, *args, **kwargs):
        """Add the module's lessons with the user's progress."""
        from courses.selectors import module_progress_for_user

        context = super().get_context(request, *args, **kwargs)
        context.update(module_progress_for_user(user=request.user, module=self, request=request))
        return context


class ModuleObjective(Orderable):
    """One learning objective of a module."""

    page = ParentalKey(ModulePage, on_delete=models.CASCADE, related_name="objectives")
    text = models.CharField(max_length=300)

    panels = [FieldPanel("text")]

    def __str__(self):
        return self.text


class LessonPage(Page):
    """A lesson: teaching built from blocks, marked complete by the trainee."""

    summary = models.CharField(max_length=300, blank=True)
    estimated_minutes = models.PositiveIntegerField(default=20)
    body = StreamField(LessonStreamBlock())

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("estimated_minutes"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    def serve(self, request, *args, **kwargs):
        """Serve the lesson only while its module and course are published too."""
        from courses.access import branch_is_live

        if not branch_is_live(self) and not getattr(request, "is_preview", False):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        """Add position, previous/next and the module's progress."""
        from courses.selectors import lesson_navigation

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_navigation(user=request.user, lesson=self, request=request))
        return context


class Enrolment(models.Model):
    """A user's enrolment in a course."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrolment_per_course")]
        ordering = ["enrolled_at"]

    def __str__(self):
        return f"{self.user} in {self.course}"


class LessonCompletion(models.Model):
    """A user's record of having completed a lesson."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="one_completion_per_lesson")]

    def __str__(self):
        return f"{self.user} completed {self.lesson}"
