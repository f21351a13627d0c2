"""SimCLR for CIFAR-10 in MindSpore: networks, NT-Xent loss, augmentations, data, checkpoints.

Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
Representations", ICML 2020, arXiv 2002.05709. Compatible with MindSpore's official implementation
(model zoo r1.8, ``official/cv/simclr``), whose hub checkpoints load into these networks.

Modules, one concept each: ``resnet`` (the encoders), ``network`` (pre-training network, encoder,
classifier), ``loss`` (NT-Xent), ``transforms`` (the two-view augmentation and the evaluation
transform), ``datasets`` (CIFAR-10 readers), ``checkpoint`` (strict loading of the official
checkpoints), ``errors``, and ``hubconf`` (MindSpore Hub's ``create_network`` entry points).

Importing this package does not import MindSpore; its modules do.
"""
