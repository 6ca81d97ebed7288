"""factory_boy factories for outreach."""

import datetime

import factory

from outreach.models import Campaign, ChannelPost


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"测试系列活动{n}")
    starts_on = datetime.date(2020, 1, 1)
    ends_on = datetime.date(2099, 12, 31)


class ChannelPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelPost

    channel = ChannelPost.Channel.WECHAT
    title = factory.Sequence(lambda n: f"宣传稿件{n}")
    url = factory.Sequence(lambda n: f"https://example.com/post/{n}")
    published_on = datetime.date(2022, 6, 1)
    reach = 500
