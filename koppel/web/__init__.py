"""``koppel serve``: a local web app over what the CLI does — check, browse, convert, jobs."""
