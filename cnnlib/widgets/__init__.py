"""ipywidgets explorers for live play in Jupyter and Colab (ipywidgets 7 and 8).

Each explorer has a static counterpart in its chapter, so the web site shows the same idea
without a kernel.
"""
