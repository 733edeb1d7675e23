"""The api service's clients of its peers (surveys, reports), for its pages."""
