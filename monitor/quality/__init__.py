"""Rule quality: the rules measured on labelled sets (``labelled``, ``evaluate``, ``metrics``),
on real shop pages (``realpages``), and fitted to labels and verdicts (``calibrate``,
``verdict_examples``, ``scoring_file``)."""
