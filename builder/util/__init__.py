"""Small tools every layer may use: German-aware slugs, work spread over every core, a paused GC.

In: plain values. Out: plain values. Imports nothing of the builder but `builder.errors`.
"""
