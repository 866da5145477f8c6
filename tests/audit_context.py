"""The audit context tests act through: their events say so."""

from pathway.audit.context import AuditContext, Channel

TEST_CONTEXT = AuditContext(channel=Channel.TEST)
