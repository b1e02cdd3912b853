"""The 2-D playground: its data, settings, engine, live run, figures, pictures and generated code."""
