"""The SimCLR networks: the pre-training network, the encoder alone, and the linear classifier.

SimCLR (Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
Representations", ICML 2020, arXiv 2002.05709, section 2.1) learns an encoder ``f`` through a small
projection head ``g``::

    h = f(x) = AvgPool(ResNet(x))                      (the representation, 2048-d for ResNet-50)
    z = g(h) = W2 relu(W1 h)                           (the projection the loss is computed on)

and uses ``h``, not ``z``, downstream: a linear classifier on the frozen ``h`` measures it (section
3, "linear evaluation protocol").

The attribute names are those of MindSpore's official SimCLR (``encoder``, ``dense1``, ``end_point``
for the pre-training network; ``model`` for the linear classifier's Dense layer), so that the
official checkpoints fill these networks parameter for parameter (see :mod:`.checkpoint`).
"""

from __future__ import annotations

from typing import ClassVar

import mindspore
from mindspore import nn, ops

from .resnet import ResNet


class SimCLR(nn.Cell):
    """The pre-training network ``x -> z = g(f(x))``: encoder plus projection head.

    Args:
        encoder: the ResNet ``f``; its ``num_features`` is the width of ``h``.
        projection_dimension: width of ``z`` (128 in the paper and officially).

    ``construct(x)`` returns ``z``; :meth:`features` returns ``h``.
    """

    def __init__(self, encoder: ResNet, *, projection_dimension: int = 128) -> None:
        super().__init__()
        n_features = encoder.num_features
        self.encoder = encoder
        self.dense1 = nn.Dense(n_features, n_features)
        self.relu = nn.ReLU()
        self.end_point = nn.Dense(n_features, projection_dimension)
        self.num_features = n_features
        self.projection_dimension = projection_dimension

    def features(self, x: mindspore.Tensor) -> mindspore.Tensor:
        """The representation ``h = f(x)``."""
        return self.encoder(x)

    def project(self, h: mindspore.Tensor) -> mindspore.Tensor:
        """The projection ``z = g(h) = W2 relu(W1 h)``."""
        return self.end_point(self.relu(self.dense1(h)))

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        return self.project(self.encoder(x))


class SimCLREncoder(nn.Cell):
    """The encoder alone, ``x -> h``: the features a downstream task uses.

    Its parameters are named ``encoder.*`` as in the pre-training network, so an official encoder
    checkpoint loads into it; the projection head there is not used (see
    ``unused_checkpoint_parameters``).
    """

    unused_checkpoint_parameters: ClassVar[tuple[str, ...]] = ("dense1.*", "end_point.*")

    def __init__(self, encoder: ResNet) -> None:
        super().__init__()
        self.encoder = encoder
        self.num_features = encoder.num_features

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        return self.encoder(x)


class SimCLRClassifier(nn.Cell):
    """The linear-evaluation network ``x -> logits = W f(x) + b``.

    Args:
        encoder: the ResNet ``f`` (frozen during linear evaluation; see :meth:`freeze_encoder`).
        num_classes: outputs of the linear layer (10 for CIFAR-10).

    The linear layer is named ``model`` as in the official ``linear_eval.py``, so the official
    linear-classifier checkpoint (``model.weight``, ``model.bias``) fills it, and the official
    encoder checkpoint fills ``encoder.*``.
    """

    unused_checkpoint_parameters: ClassVar[tuple[str, ...]] = ("dense1.*", "end_point.*")

    def __init__(self, encoder: ResNet, *, num_classes: int = 10) -> None:
        super().__init__()
        self.encoder = encoder
        self.model = nn.Dense(encoder.num_features, num_classes)
        self.num_features = encoder.num_features
        self.num_classes = num_classes

    def freeze_encoder(self) -> None:
        """Stop training the encoder: its parameters keep their values and BatchNorm its statistics."""
        for parameter in self.encoder.get_parameters():
            parameter.requires_grad = False
        self.encoder.set_train(False)

    def construct(self, x: mindspore.Tensor) -> mindspore.Tensor:
        return self.model(self.encoder(x))


class SimCLRWithLoss(nn.Cell):
    """The pre-training objective as one cell: two batches of views in, the NT-Xent loss out.

    Both views go through the network as one batch of ``2N`` images (one pass, and BatchNorm sees
    both views), then the projections are split back into ``z1`` and ``z2`` for ``loss``.
    Wrap it in ``nn.TrainOneStepCell`` to train. Like MindSpore's ``nn.WithLossCell`` it adds no
    prefix to the parameter names, so a checkpoint saved from the training cell has the official
    layout (``encoder.*``, ``dense1.*``, ``end_point.*`` and the optimizer state).
    """

    def __init__(self, network: SimCLR, loss: nn.Cell) -> None:
        super().__init__(auto_prefix=False)
        self.network = network
        self.loss = loss

    def construct(self, view1: mindspore.Tensor, view2: mindspore.Tensor) -> mindspore.Tensor:
        batch = view1.shape[0]
        z = self.network(ops.concat((view1, view2), axis=0))
        return self.loss(z[:batch], z[batch:])


__all__ = ["SimCLR", "SimCLRClassifier", "SimCLREncoder", "SimCLRWithLoss"]
