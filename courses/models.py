"""Course pages (course, module, lesson, quiz) and the records of enrolment, completion and quiz attempts."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from content.blocks import LessonStreamBlock
from courses.blocks import QuestionStreamBlock
from lms.names import display_name
from lms.page_tree import TreeViewRestrictionsMixin


class LiveBranchOnly:
    """Course pages, served only while every page above them (course list, course, module) is published too."""

    def serve(self, request, *args, **kwargs):
        """Serve the page only on a published branch; an editor's preview is always shown."""
        from courses.access import branch_is_live

        if not getattr(request, "is_preview", False) and not branch_is_live(self, request=request):
            raise Http404
        return super().serve(request, *args, **kwargs)


class CourseIndexPage(LiveBranchOnly, TreeViewRestrictionsMixin, Page):
    """The list of courses, at /courses/."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1
    admin_default_ordering = "ord"

    def get_context(self, request, *args, **kwargs):
        """Add the live courses and the user's enrolments to the context."""
        from courses.selectors import enrolled_course_ids, live_courses

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = live_courses()
        context["enrolled_ids"] = enrolled_course_ids(request.user)
        return context


class CoursePage(LiveBranchOnly, TreeViewRestrictionsMixin, Page):
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
    admin_default_ordering = "ord"

    def get_context(self, request, *args, **kwargs):
        """Add the outline and, for an enrolled user, their progress."""
        from courses.selectors import course_progress_for_user

        context = super().get_context(request, *args, **kwargs)
        context["progress"] = course_progress_for_user(user=request.user, course=self, request=request)
        return context


class ModulePage(LiveBranchOnly, TreeViewRestrictionsMixin, Page):
    """A module within a course: learning objectives and a sequence of lessons."""

    summary = models.CharField(max_length=300)
    estimated_minutes = models.PositiveIntegerField(
        default=60, help_text="The sum of its published lessons' minutes, worked out whenever one is published."
    )
    competency_domains = ParentalManyToManyField("content.CompetencyDomain", blank=True, related_name="modules")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("competency_domains", widget=forms.CheckboxSelectMultiple),
        InlinePanel("objectives", label="Learning objectives", min_num=1),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage", "courses.QuizPage"]
    admin_default_ordering = "ord"

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
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        help_text="The lesson in this module that teaches it. It is listed at the top of that lesson.",
    )

    panels = [FieldPanel("text"), FieldPanel("lesson")]

    def __str__(self):
        return self.text


class LessonPage(LiveBranchOnly, TreeViewRestrictionsMixin, Page):
    """A lesson: teaching built from blocks, marked complete by the trainee."""

    COUNT_AS_DONE = "count"
    ASK_TO_DO = "ask"
    FOR_FINISHERS = [
        ("", "Not chosen yet (you'll be asked when it matters)"),
        (COUNT_AS_DONE, "Count it as done for them: they keep their 100%"),
        (ASK_TO_DO, "Ask them to do it too: they see it as a new lesson, and their progress drops below 100%"),
    ]

    summary = models.CharField(max_length=300, blank=True)
    estimated_minutes = models.PositiveIntegerField(default=20)
    body = StreamField(LessonStreamBlock())
    for_finishers = models.CharField(
        "People who have already finished this course",
        max_length=5,
        choices=FOR_FINISHERS,
        blank=True,
        help_text="Asked when a new lesson is first published in a course that people have finished. "
        "It is applied once, at that first publish.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
        FieldPanel("for_finishers", widget=forms.RadioSelect),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    def get_context(self, request, *args, **kwargs):
        """Add position, previous/next, the module's progress and the objectives this lesson teaches."""
        from courses.navigation import lesson_navigation

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_navigation(user=request.user, lesson=self, request=request))
        return context


class Enrolment(models.Model):
    """A user's enrolment in a course."""

    wagtail_reference_index_ignore = True  # a person's record, not content (lms/reference_index.py)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrolment_per_course")]
        ordering = ["enrolled_at"]

    def __str__(self):
        return f"{display_name(self.user)} in {self.course}"


class LessonCompletion(models.Model):
    """A user's record of having completed a lesson."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="one_completion_per_lesson")]

    def __str__(self):
        return f"{self.user} completed {self.lesson}"


class QuizPage(LiveBranchOnly, TreeViewRestrictionsMixin, Page):
    """A module's quiz: questions drawn from a pool, a pass mark, attempt rules and what the review shows."""

    REVIEW_SCORE = "score"
    REVIEW_WRONG = "wrong"
    REVIEW_FULL = "full"
    REVIEW_MODES = [
        (REVIEW_SCORE, "Score only"),
        (REVIEW_WRONG, "Score and which questions were wrong"),
        (REVIEW_FULL, "Full review: every answer with its reasoning"),
    ]

    instructions = RichTextField(blank=True, features=["bold", "italic", "ol", "ul", "link"])
    pass_mark = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Percentage needed to pass."
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How many questions each attempt draws from the pool. Leave blank to ask them all. "
        "Draw fewer than the pool holds, so that a second attempt asks questions the first didn't.",
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_choices = models.BooleanField(default=True, help_text="True-or-false choices always keep their order.")
    max_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Leave blank for unlimited attempts. A programme admin can grant a trainee more.",
    )
    wait_hours = models.PositiveSmallIntegerField(default=0, help_text="Hours to wait after a failed attempt.")
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Leave blank for no time limit."
    )
    review_mode = models.CharField(max_length=10, choices=REVIEW_MODES, default=REVIEW_FULL)
    questions = StreamField(QuestionStreamBlock(), help_text="The question pool.")

    content_panels = [
        *Page.content_panels,
        FieldPanel("instructions"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("questions_per_attempt")]),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
                FieldRowPanel([FieldPanel("max_attempts"), FieldPanel("wait_hours"), FieldPanel("time_limit_minutes")]),
                FieldPanel("review_mode"),
            ],
            heading="Rules",
        ),
        FieldPanel("questions"),
    ]
    preview_modes = [("", "Trainee's view"), ("answer_key", "Answer key")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    max_count_per_parent = 1

    def clean(self):
        """Refuse to draw more questions than the pool holds."""
        super().clean()
        pool = len(self.questions)
        if self.questions_per_attempt and self.questions_per_attempt > pool:
            raise ValidationError(
                {"questions_per_attempt": f"The pool has {pool} question(s); draw at most that many, or leave blank."}
            )

    @property
    def questions_drawn(self) -> int:
        """How many questions one attempt asks."""
        pool = len(self.questions)
        return min(self.questions_per_attempt or pool, pool)

    @property
    def attempts_repeat_the_pool(self) -> bool:
        """Whether every attempt asks the whole pool, so a second attempt repeats the first one's questions."""
        pool = len(self.questions)
        return pool > 0 and self.questions_drawn >= pool and self.max_attempts != 1

    def serve_preview(self, request, mode_name):
        """Show editors the answer key in the 'Answer key' preview mode; never on the live site."""
        if mode_name == "answer_key":
            return TemplateResponse(request, "courses/quiz_page_answer_key.html", {"page": self})
        return super().serve_preview(request, mode_name)

    def get_context(self, request, *args, **kwargs):
        """Add the user's attempts and whether they may start one."""
        from courses.selectors import quiz_overview

        context = super().get_context(request, *args, **kwargs)
        context.update(quiz_overview(user=request.user, quiz=self, request=request))
        return context


class QuizAttempt(models.Model):
    """One trainee's attempt at a quiz: the questions drawn, the answers saved and the grade."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    STATUSES = [(IN_PROGRESS, "In progress"), (SUBMITTED, "Submitted")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey(QuizPage, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(help_text="1 for the trainee's first attempt at this quiz.")
    status = models.CharField(max_length=12, choices=STATUSES, default=IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(help_text="The quiz's pass mark when the attempt started.")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, help_text="Percent.")
    passed = models.BooleanField(null=True)
    timed_out = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz", "number"], name="one_attempt_per_number"),
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=models.Q(status="in_progress"), name="one_open_attempt_per_quiz"
            ),
        ]
        indexes = [models.Index(fields=["quiz", "status"])]
        ordering = ["user", "quiz", "number"]

    def __str__(self):
        return f"{self.user} · {self.quiz} · attempt {self.number}"

    @property
    def is_open(self) -> bool:
        """Whether the attempt is still being answered."""
        return self.status == self.IN_PROGRESS


class AttemptQuestion(models.Model):
    """A question as drawn for one attempt, frozen with its choices in the order shown, and its score."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    question_key = models.CharField(max_length=64, help_text="The id of the question block in the quiz's pool.")
    snapshot = models.JSONField(help_text="The question as shown: kind, scoring, stem and choices in order.")
    score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True, help_text="0 to 1.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="one_question_per_position"),
            models.UniqueConstraint(fields=["attempt", "question_key"], name="question_once_per_attempt"),
        ]
        ordering = ["attempt", "position"]

    def __str__(self):
        return f"{self.attempt} · question {self.position}"


class AttemptAnswer(models.Model):
    """A choice the trainee has selected for a question in an attempt."""

    attempt_question = models.ForeignKey(AttemptQuestion, on_delete=models.CASCADE, related_name="answers")
    choice_key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt_question", "choice_key"], name="choice_once_per_question")
        ]

    def __str__(self):
        return f"{self.attempt_question}: {self.choice_key}"


class QuizAttemptGrant(models.Model):
    """One extra attempt at a quiz, granted to a trainee by a programme admin, with the reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempt_grants")
    quiz = models.ForeignKey(QuizPage, on_delete=models.PROTECT, related_name="attempt_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="quiz_attempt_grants_given"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["granted_at"]

    def __str__(self):
        return f"Extra attempt for {self.user} at {self.quiz}"
