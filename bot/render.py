"""Answers as plain text: the quotes with [n] markers, then the numbered sources."""

from __future__ import annotations

from index.answering.answer import Answer, Explanation
from index.citation import Citation, quoted
from index.pacts.agreements import AgreementsAnswer, partner_names, status_label


def source_text(c: Citation) -> str:
    """'Title — Publisher, 2024-01-12 — paragraph 2'."""
    details = ", ".join(x for x in (c.publisher, c.published.isoformat() if c.published else None) if x)
    return " — ".join(x for x in (c.title, details, f"paragraph {c.paragraph}") if x)


def source_line(c: Citation) -> str:
    line = f"[{c.n}] {source_text(c)}"
    return f"{line} <{c.source}>" if c.source else line


def render_plain(answer: Answer) -> str:
    if answer.abstained:
        return answer.answer
    sources = "\n".join(source_line(c) for c in answer.citations)
    return f"{answer.answer}\n\nSources:\n{sources}"


def render_agreements(result: AgreementsAnswer) -> str:
    """By partner: each agreement's name, status and date, then its quotes with sources.
    With a partner: the pair's agreements, then its timeline in date order."""
    country, partner = result.country, result.partner
    with_partner = f" with {partner.name}" if partner else ""
    if not result.agreements:
        return f"No agreements of {country.name}{with_partner} were found in the indexed articles."
    lines = [f"Agreements of {country.name} ({country.iso3}){with_partner}"]
    current = None
    for agreement in result.agreements:
        partners = partner_names(agreement, country.iso3)
        if partners != current:
            lines += ["", partners]
            current = partners
        lines.append(f"  {agreement.name}: {status_label(agreement.status)} ({agreement.dated}) [{agreement.evidence}]")
        if not partner:
            for c in agreement.citations:
                lines += [f"    {quoted(c.quote)}", f"      {source_line(c)}"]
    if partner:
        lines += ["", "Timeline"]
        for n, step in enumerate(result.timeline, start=1):
            c = step.citation.model_copy(update={"n": n})
            lines += [
                f"  {step.dated}  {step.name}: {status_label(step.status)}",
                f"    {quoted(c.quote)}",
                f"      {source_line(c)}",
            ]
    return "\n".join(lines)


def render_explanation(explanation: Explanation) -> str:
    """The answer, then the candidates the ranker scored with every signal, and the rule that decided."""
    lines = [render_plain(explanation.answer), "", f"Decision: {explanation.decision}"]
    if explanation.expansions:
        lines.append("Also searched: " + "; ".join(explanation.expansions))
    lines.append(f"Answer type asked for: {explanation.answer_type or 'none'}")
    if explanation.unknown_names:
        lines.append("Names no article contains: " + ", ".join(explanation.unknown_names))
    lines.append("Thresholds: " + ", ".join(f"{k} {v}" for k, v in explanation.thresholds.items()))
    lines.append("Abstention read: " + ", ".join(f"{k} {v}" for k, v in explanation.question_features.items()))
    lines += ["", "Candidates, best first by the fitted ranker (index/answering/ranker.json):"]
    for c in explanation.candidates:
        mark = "*" if c.quoted else " "
        lines.append(f"{mark} {c.score:7.3f}  {c.article_id} ¶{c.paragraph} s{c.sentence}: {c.text}")
        lines.append("           " + ", ".join(f"{k} {v:g}" for k, v in c.features.items() if v))
    lines.append("(* quoted in the answer)")
    return "\n".join(lines)
