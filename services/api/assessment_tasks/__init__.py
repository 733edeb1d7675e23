"""Task specifications of assessment procedures and participants' results by task."""
