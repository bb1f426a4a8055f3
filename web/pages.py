"""Server-rendered pages: picker, setup, interview room, scorecard, replay and history."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rubrics.export import RECOMMENDATION_TITLES, figure
from rubrics.scorecard import ESTIMATE_VERDICTS, Scorecard
from web.api.history import best_scores, history_context
from web.deps import OwnedSessionDep, OwnerDep, ServiceDep
from web.render import render_markdown
from web.scorecard_view import dimension_chart, replay_link, timeline_chart

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
TEMPLATES.env.filters["figure"] = figure

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def problem_list(request: Request, service: ServiceDep, owner_id: OwnerDep) -> HTMLResponse:
    problems = [problem.candidate_view() for problem in service.bank]
    titles = {problem.id: problem.title for problem in problems}
    sessions = [
        (record, titles[record.problem_id])
        for record in service.store.list_sessions(owner_id, limit=20)
        if record.problem_id in titles
    ]

    best = best_scores(
        service=service, scorecards=request.app.state.grading.scorecards, owner_id=owner_id
    )
    return TEMPLATES.TemplateResponse(
        request,
        "problems.html",
        {
            "problems": problems,
            "sessions": sessions,
            "best_scores": best,
            "interviewer": request.app.state.interviewer_info,
        },
    )


@router.get("/interview/{session_id}", response_class=HTMLResponse)
def interview_room(request: Request, session: OwnedSessionDep, service: ServiceDep) -> HTMLResponse:
    if session.problem_id not in service.bank:
        raise HTTPException(status_code=404, detail="this session's problem no longer exists")
    problem = service.bank.get(session.problem_id).candidate_view()
    return TEMPLATES.TemplateResponse(
        request,
        "interview.html",
        {
            "session": session,
            "problem": problem,
            "phases": service.plan.phases,
            "interviewer": request.app.state.interviewer_info,
        },
    )


def _problem_view(service, session):
    if session.problem_id not in service.bank:
        raise HTTPException(status_code=404, detail="this session's problem no longer exists")
    return service.bank.get(session.problem_id).candidate_view()


@router.get("/replay/{session_id}", response_class=HTMLResponse)
def replay_page(request: Request, session: OwnedSessionDep, service: ServiceDep) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        "replay.html",
        {
            "session": session,
            "problem": _problem_view(service, session),
            "phases": service.plan.phases,
            "interviewer": request.app.state.interviewer_info,
        },
    )


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request, service: ServiceDep, owner_id: OwnerDep) -> HTMLResponse:

    return TEMPLATES.TemplateResponse(
        request,
        "history.html",
        {
            "owner_id": owner_id,
            "interviewer": request.app.state.interviewer_info,
            **history_context(service, request.app.state.grading.scorecards, owner_id),
        },
    )


@router.get("/start/{problem_id}", response_class=HTMLResponse)
def session_setup(request: Request, problem_id: str, service: ServiceDep) -> HTMLResponse:
    if problem_id not in service.bank:
        raise HTTPException(status_code=404, detail=f"no problem {problem_id!r}")
    return TEMPLATES.TemplateResponse(
        request,
        "setup.html",
        {
            "problem": service.bank.get(problem_id).candidate_view(),
            "phases": service.plan.phases,
            "models": [
                (model_id, model is service.interviewer, model.offline)
                for model_id, model in service.interviewers.items()
            ],
            "personas": ["supportive", "neutral", "adversarial"],
            "interviewer": request.app.state.interviewer_info,
        },
    )


@router.get("/scorecard/{session_id}", response_class=HTMLResponse)
def scorecard_page(request: Request, session: OwnedSessionDep, service: ServiceDep) -> HTMLResponse:
    record = request.app.state.grading.scorecards.latest(session.id)
    card = Scorecard.model_validate(record.data) if record and record.data else None
    return TEMPLATES.TemplateResponse(
        request,
        "scorecard.html",
        {
            "session": session,
            "problem": _problem_view(service, session),
            "record": record,
            "card": card,
            "ended": service.conversation(session.id).ended,
            "titles": RECOMMENDATION_TITLES,
            "verdicts": ESTIMATE_VERDICTS,
            "dimension_chart": dimension_chart(card) if card else None,
            "timeline_chart": timeline_chart(card) if card else None,
            "replay_link": replay_link,
            "render": render_markdown,
            "interviewer": request.app.state.interviewer_info,
        },
    )
