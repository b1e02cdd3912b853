"""The Train page's glue: the settings form, the live panel and run history, the session's training job."""
