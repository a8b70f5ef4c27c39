"""The tamper-evident ledger (§8): the hash chain over the stored log and its writer (chain),
the signed checkpoint format (checkpoints), verification against the event store
(verification), and the adapter behind the application's `AuditLedger` port (adapter)."""
