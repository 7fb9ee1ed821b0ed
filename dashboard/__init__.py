"""The Streamlit dashboard: UI only; every number it shows comes from a run on disk."""
