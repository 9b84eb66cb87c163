"""The agent harness: load a generated project and run conversations with its agent."""

from toolkit.agent.harness_tools import approval_tool, harness_tools, request_human_approval
from toolkit.agent.project import Project, load_project
from toolkit.agent.results import AgentResult, DecisionRecord, ToolCallRecord, UsageSummary
from toolkit.agent.session import RecordingTransport, Session

__all__ = [
    "AgentResult",
    "DecisionRecord",
    "Project",
    "RecordingTransport",
    "Session",
    "ToolCallRecord",
    "UsageSummary",
    "approval_tool",
    "harness_tools",
    "load_project",
    "request_human_approval",
]
