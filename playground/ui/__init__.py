"""The Streamlit glue: the only package of the library that imports streamlit."""
