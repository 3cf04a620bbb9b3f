"""The rules of a workstream's weekly highlight, shared by the highlight form and the import."""

from __future__ import annotations

from tracker.domain.validation import FieldError, check_rag

NOT_GREEN = {
    "red": "Say in issues and risks why the week is red: what is wrong, and what help the "
    "board can give",
    "amber": "Say in issues and risks why the week is amber: what is at risk, and how the "
    "workstream will recover it",
}


def check_highlight(
    rag: str | None, achievements: str | None, next_steps: str | None, issues: str | None
) -> list[FieldError]:
    """Every rule a weekly highlight breaks, all at once: a RAG; something written; for Red
    or Amber, the reason in the issues box."""
    errors = (
        check_rag("rag", rag)
        if rag
        else [FieldError("rag", "Choose red, amber or green for this week")]
    )
    if not any((text or "").strip() for text in (achievements, next_steps, issues)):
        errors.append(
            FieldError(
                "achievements",
                "Write what happened this week: fill in at least one of achievements, next "
                "steps, or issues and risks",
            )
        )
    if rag in NOT_GREEN and not (issues or "").strip():
        errors.append(FieldError("issues", NOT_GREEN[rag]))
    return errors
