"""infoops.attribute"""
