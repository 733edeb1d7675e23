"""The instrument bank: questionnaires and diagnostics as validated definitions and XLSForm."""
