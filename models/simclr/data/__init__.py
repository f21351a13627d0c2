"""The data: CIFAR-10 readers (three layouts), the SimCLR augmentations, the resumable data order."""
