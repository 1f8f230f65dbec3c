"""Operations built from scratch, mirroring the names and argument order of ``torch.nn.functional``.

Each operation is proven equal to PyTorch's own in the tests and in its chapter.
"""
