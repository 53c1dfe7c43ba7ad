"""People and their accounts: synced from the plan, enrolment, reach, absences."""
