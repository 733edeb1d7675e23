"""The surveys service (:8001): instrument bank, campaigns, responses, the respondents' form."""
