"""What closing an account does to course records: progress and quiz results stay, without the words about them."""

from courses.models import QuizAttemptGrant
from lms.closing import Closer, ClosingContext, closer_register


def quiz_grants_anonymise(context: ClosingContext) -> None:
    """Wipe the reasons staff wrote for granting the person extra quiz attempts; the grants themselves stay."""
    QuizAttemptGrant.objects.filter(user=context.user).update(reason="")


def closers_register() -> None:
    """Register what closing an account does to the person's quiz records."""
    closer_register(Closer("quizzes", close=quiz_grants_anonymise))
