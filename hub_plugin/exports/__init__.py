"""``hub-plugin export``: a network to a checked MINDIR, ONNX or AIR file and its card, and running the file.

* :mod:`.exporter` builds the network by the one build path (:mod:`hub_plugin.packages.loading`) and
  writes the checked file and its card;
* :mod:`.round_trip` writes the file and checks it by a round trip on a seeded batch;
* :mod:`.results` holds the formats and typed results (no NumPy, no MindSpore);
* :mod:`.card` writes the card beside an exported file through the one card writer
  (:mod:`hub_plugin.core.yamlio`) and reads it back;
* :mod:`.exported_model` runs an exported file on NumPy batches (ONNX Runtime or MindSpore);
* :mod:`.quantize` makes an INT8 ONNX file by ONNX Runtime's static quantization, kept only past
  its accuracy gate; :mod:`.calibration` asks the model package for its calibration and check images.

It imports the core, the errors, :mod:`hub_plugin.cards`, :mod:`hub_plugin.validation` (the card
read back) and :mod:`hub_plugin.packages`; MindSpore and ONNX Runtime only inside functions.
"""
