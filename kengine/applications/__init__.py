"""Pretrained image models (`keras.applications`), one family per module.

This file only re-exports the model constructors, as Keras 2's
`applications/__init__.py` does; `preprocess_input` and `decode_predictions`
live in each family module (`applications.resnet.preprocess_input`). Not there
yet: ResNetRS (Keras 2's `resnet_rs.py`).
"""

from kengine.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    regnet,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from kengine.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from kengine.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from kengine.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from kengine.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from kengine.applications.inception_resnet_v2 import InceptionResNetV2
from kengine.applications.inception_v3 import InceptionV3
from kengine.applications.mobilenet import MobileNet
from kengine.applications.mobilenet_v2 import MobileNetV2
from kengine.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from kengine.applications.nasnet import NASNetLarge, NASNetMobile
from kengine.applications.regnet import (
    RegNetX002,
    RegNetX004,
    RegNetX006,
    RegNetX008,
    RegNetX016,
    RegNetX032,
    RegNetX040,
    RegNetX064,
    RegNetX080,
    RegNetX120,
    RegNetX160,
    RegNetX320,
    RegNetY002,
    RegNetY004,
    RegNetY006,
    RegNetY008,
    RegNetY016,
    RegNetY032,
    RegNetY040,
    RegNetY064,
    RegNetY080,
    RegNetY120,
    RegNetY160,
    RegNetY320,
)
from kengine.applications.resnet import ResNet50, ResNet101, ResNet152
from kengine.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from kengine.applications.vgg16 import VGG16
from kengine.applications.vgg19 import VGG19
from kengine.applications.xception import Xception
