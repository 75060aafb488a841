"""What pages share: the translation layer, per-run context, widgets and chart builders."""
