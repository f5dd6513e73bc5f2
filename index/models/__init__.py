"""The text models: the sentence encoder (embedder: the protocol and the model folder;
torch_embedder, the PyTorch reference; onnx_embedder, ONNX Runtime, serving; encoders, the choice
between them), batching questions for it, spaCy's pipeline per sentence (annotate) and dates
resolved in text (dates); and Pactbot's own trained models, the fine-tuned encoder and the
reranker:

* `adapters` reads the small checked-in artefacts (LoRA adapters and heads, safetensors) and
  merges them into the bundled all-MiniLM-L6-v2 weights; numpy only.
* `reranker` serves the cross-encoder through ONNX Runtime (no torch at answer time).
* `pairs` turns labelled question files into training examples, with folds by event.
* `train` fits both models (`pactbot train`); it alone needs the `train` extra (peft).

The serving modules may import only the modules directly in `index` (text, files...). The
training ones (`pairs`, `train`, `workflow`) sit beside the service: they may import answering
and the service too; nothing in `index` outside this package imports them.
"""
