# Patients are deliberately not in the Django admin: every read of patient data must go through
# views that scope by organisation and write the audit trail.
