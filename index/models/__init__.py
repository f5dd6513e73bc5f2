"""Pactbot's own trained models: the fine-tuned encoder and the reranker.

* `adapters` reads the small checked-in artefacts (LoRA adapters and heads, safetensors) and
  merges them into the bundled all-MiniLM-L6-v2 weights; numpy only.
* `reranker` serves the cross-encoder through ONNX Runtime (no torch at answer time).
* `pairs` turns labelled question files into training examples, with folds by event.
* `train` fits both models (`pactbot train`); it alone needs the `train` extra (peft).

May import from `index` (the embedder, the answering path's gathered candidates); nothing in
`index` outside this package imports `train`.
"""
