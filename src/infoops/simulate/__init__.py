"""infoops.simulate"""
