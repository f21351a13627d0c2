"""Exporting a network to a checked MINDIR, ONNX or AIR file, and running the file.

* :mod:`.exporter` builds the network as ``load`` does and writes the checked file and its card;
* :mod:`.round_trip` writes the file and checks it by a round trip on a seeded batch;
* :mod:`.results` holds the formats, typed results and errors (no NumPy, no MindSpore);
* :mod:`.card` writes the card beside an exported file;
* :mod:`.exported_model` runs an exported file on NumPy batches (ONNX Runtime or MindSpore);
* :mod:`.quantize` makes an INT8 ONNX file by ONNX Runtime's static quantization, kept only past
  its accuracy gate; :mod:`.calibration` asks the model package for its calibration and check images.
"""
