"""Server-rendered pages: picker, setup, interview room, scorecard, replay and history."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web.deps import OwnedSessionDep, OwnerDep, ServiceDep

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))

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
    return TEMPLATES.TemplateResponse(
        request,
        "problems.html",
        {
            "problems": problems,
            "sessions": sessions,
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
        {"owner_id": owner_id, "interviewer": request.app.state.interviewer_info},
    )
