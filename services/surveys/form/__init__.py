"""The respondents' web form at /s/{code}: server-rendered, works without JavaScript."""
