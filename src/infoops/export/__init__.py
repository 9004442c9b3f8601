"""infoops.export"""
