"""The privacy screen applied to what trainees and supervisors write: what it holds back, and what a trainee
confirmed about names it found."""

from practice import rules


def privacy_problem(
    text: str, *, known: frozenset[str] = frozenset(), confirmed_reason: str = ""
) -> rules.Problem | None:
    """Hold back free text that could identify a person supported, saying what was found and why.

    Code 'privacy'; or 'privacy_names' when only names were found, which the trainee may let through by
    confirming, with a reason, that they are not people they support (`confirmed_reason`).
    """
    findings = rules.privacy_findings(text, known=known)
    if not findings:
        return None
    found = "; ".join(finding.message for finding in findings)
    if all(finding.kind == "name" for finding in findings):
        reason = rules.visible_text(confirmed_reason)
        # The reason is kept in the entry's history and shown to the supervisor: it is screened like the text.
        in_reason = [finding for finding in rules.privacy_findings(reason) if finding.kind != "name"]
        if in_reason:
            held = "; ".join(finding.message for finding in in_reason)
            return rules.Problem(
                "privacy_reason",
                f"{rules.PRIVACY_RULE} Your reason holds: {held}. Say who they are in a few words, "
                "without contact details or dates.",
            )
        if reason:
            return None
        return rules.Problem(
            "privacy_names",
            f"{rules.PRIVACY_RULE} We found: {found}. Please reword it; or, if this is not a person you support "
            "(a colleague, say, or the name of a group), tick the box below and say in a line who it is.",
        )
    return rules.Problem("privacy", f"{rules.PRIVACY_RULE} We found: {found}. Please reword it and save again.")


def privacy_confirmation(text: str, *, known: frozenset[str], reason: str) -> str:
    """What the trainee confirmed about the names the screen found, for the entry and its history; '' if none."""
    names = [finding.text for finding in rules.privacy_findings(text, known=known) if finding.kind == "name"]
    reason = rules.visible_text(reason)
    if not names or not reason:
        return ""
    quoted = ", ".join(f"“{name}”" for name in dict.fromkeys(names))
    return f"{quoted}: not a person I support ({reason})"[:500]
