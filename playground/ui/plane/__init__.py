"""The 2-D playground's Streamlit glue: session state, its address, the controls, the live run and the panels."""
