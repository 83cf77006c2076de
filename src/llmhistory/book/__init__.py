"""The machinery that makes the book: glued numbers, chapter records, quizzes, explorables.

Nothing here is a concept the chapters teach; it is how the chapters are written, rendered,
assessed and packaged.
"""
