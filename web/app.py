"""The app factory: settings in, a ready FastAPI app out."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from core.settings import Settings
from core.wiring import build_service
from interviewer.base import Interviewer
from interviewer.clock import Clock
from interviewer.live import TurnManager
from problems.loader import ProblemBank
from rubrics.service import GradingService
from storage.listener import PostgresListener
from storage.scorecards import ScorecardStore
from web import pages, vendor
from web.api import history, live, notes, problems, replay, scorecards, sessions
from web.body_limit import BodyLimitMiddleware
from web.errors import install_error_handlers
from web.identity import IdentityMiddleware
from web.schemas import InterviewerInfo, ModelOut
from web.security_headers import SecurityHeadersMiddleware
from web.sse import SERVER_SEND

__all__ = ["InterviewApp", "make_app"]


class InterviewApp(FastAPI):
    """The FastAPI app, keeping the server's own ``send`` in the scope before the middleware
    stack wraps it, for the event feeds' body pieces (see :class:`web.sse.FeedResponse`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SERVER_SEND] = send
        await super().__call__(scope, receive, send)


MAX_BODY_BYTES = 64 * 1024


def make_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    interviewer: Interviewer | None = None,
    bank: ProblemBank | None = None,
) -> FastAPI:
    """Build the app. The database is migrated here, once, before the first request."""
    wired = build_service(
        settings, clock=clock, interviewer=interviewer, bank=bank, offload=asyncio.to_thread
    )
    service = wired.service

    single_process = wired.engine.dialect.name == "sqlite"
    manager = TurnManager(
        service, flush_interval=settings.delta_flush_seconds, single_process=single_process
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await manager.start()
        listener_task = None
        if not single_process:
            listener = PostgresListener(
                settings.resolved_database_url(),
                origin=service.store.origin,
                on_change=manager.on_remote_change,
            )
            app.state.listener = listener
            listener_task = asyncio.create_task(listener.run(), name="pg-listener")
        try:
            yield
        finally:
            if listener_task is not None:
                listener_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener_task
            for task in list(app.state.grading_tasks):
                task.cancel()
            await manager.stop()

    app = InterviewApp(
        title="Mock system-design interview simulator",
        version="0.1.0",
        description="Timed mock system-design interviews with a streaming interviewer.",
        lifespan=lifespan,
    )
    app.state.manager = manager
    app.state.settings = settings
    app.state.engine = wired.engine
    app.state.service = service
    app.state.models = wired.models
    app.state.grading = GradingService(
        store=service.store,
        scorecards=ScorecardStore(wired.engine),
        bank=service.bank,
        plan=service.plan,
        clock=service.clock,
        offload=asyncio.to_thread,
    )
    app.state.grading_tasks = set()
    app.state.interviewer_info = InterviewerInfo(
        model=service.interviewer.model_id,
        offline=service.interviewer.offline,
        reason=wired.interviewer_reason,
    )

    @app.get("/api/interviewer", response_model=InterviewerInfo, tags=["meta"])
    def interviewer_info() -> InterviewerInfo:
        """Which interviewer model this server uses, and why."""
        return app.state.interviewer_info

    @app.get("/api/models", response_model=list[ModelOut], tags=["meta"])
    def models() -> list[ModelOut]:
        """The interviewer models a session can choose: the configured one and offline."""
        return [
            ModelOut(id=model_id, offline=model.offline, default=model is service.interviewer)
            for model_id, model in service.interviewers.items()
        ]

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(problems.router)
    app.include_router(sessions.router)
    app.include_router(live.router)
    app.include_router(scorecards.router)
    app.include_router(notes.router)
    app.include_router(replay.router)
    app.include_router(history.router)
    app.include_router(pages.router)
    app.include_router(vendor.router)  # before the static mount, which would shadow it
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    install_error_handlers(app)
    app.add_middleware(
        IdentityMiddleware, secret_key=settings.resolved_secret_key(), secure=settings.cookie_secure
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
