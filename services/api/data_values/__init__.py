"""Data values posted by organizations: one number per indicator, organization and period."""
