"""The interview engine: conversation state, phase policy, interviewers, and the turn loop."""

from interviewer.base import Interviewer, InterviewerError, TurnContext
from interviewer.clock import Clock, FakeClock, SystemClock
from interviewer.conversation import Conversation, Message
from interviewer.offline import OfflineInterviewer
from interviewer.service import InterviewService

__all__ = [
    "Clock",
    "Conversation",
    "FakeClock",
    "InterviewService",
    "Interviewer",
    "InterviewerError",
    "Message",
    "OfflineInterviewer",
    "SystemClock",
    "TurnContext",
]
